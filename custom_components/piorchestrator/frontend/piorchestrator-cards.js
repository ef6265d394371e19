var e=globalThis,t=e.ShadowRoot&&(e.ShadyCSS===void 0||e.ShadyCSS.nativeShadow)&&`adoptedStyleSheets`in Document.prototype&&`replace`in CSSStyleSheet.prototype,n=Symbol(),r=/* @__PURE__ */ new WeakMap,i=class{constructor(e,t,r){if(this._$cssResult$=!0,r!==n)throw Error("CSSResult is not constructable. Use `unsafeCSS` or `css` instead.");this.cssText=e,this.t=t}get styleSheet(){let e=this.o,n=this.t;if(t&&e===void 0){let t=n!==void 0&&n.length===1;t&&(e=r.get(n)),e===void 0&&((this.o=e=new CSSStyleSheet).replaceSync(this.cssText),t&&r.set(n,e))}return e}toString(){return this.cssText}},a=e=>new i(typeof e==`string`?e:e+``,void 0,n),o=(e,...t)=>new i(e.length===1?e[0]:t.reduce((t,n,r)=>t+(e=>{if(!0===e._$cssResult$)return e.cssText;if(typeof e==`number`)return e;throw Error(`Value passed to 'css' function must be a 'css' function result: `+e+`. Use 'unsafeCSS' to pass non-literal values, but take care to ensure page security.`)})(n)+e[r+1],e[0]),e,n),s=(n,r)=>{if(t)n.adoptedStyleSheets=r.map(e=>e instanceof CSSStyleSheet?e:e.styleSheet);else for(let t of r){let r=document.createElement(`style`),i=e.litNonce;i!==void 0&&r.setAttribute(`nonce`,i),r.textContent=t.cssText,n.appendChild(r)}},c=t?e=>e:e=>e instanceof CSSStyleSheet?(e=>{let t=``;for(let n of e.cssRules)t+=n.cssText;return a(t)})(e):e,l,{is:u,defineProperty:d,getOwnPropertyDescriptor:f,getOwnPropertyNames:p,getOwnPropertySymbols:m,getPrototypeOf:ee}=Object,h=globalThis,te=h.trustedTypes,ne=te?te.emptyScript:``,re=h.reactiveElementPolyfillSupport,g=(e,t)=>e,_={toAttribute(e,t){switch(t){case Boolean:e=e?ne:null;break;case Object:case Array:e=e==null?e:JSON.stringify(e)}return e},fromAttribute(e,t){let n=e;switch(t){case Boolean:n=e!==null;break;case Number:n=e===null?null:Number(e);break;case Object:case Array:try{n=JSON.parse(e)}catch{n=null}}return n}},ie=(e,t)=>!u(e,t),ae={attribute:!0,type:String,converter:_,reflect:!1,useDefault:!1,hasChanged:ie};(l=Symbol).metadata??(l.metadata=Symbol(`metadata`)),h.litPropertyMetadata??(h.litPropertyMetadata=/* @__PURE__ */ new WeakMap);var v=class extends HTMLElement{static addInitializer(e){this._$Ei(),(this.l??(this.l=[])).push(e)}static get observedAttributes(){return this.finalize(),this._$Eh&&[...this._$Eh.keys()]}static createProperty(e,t=ae){if(t.state&&(t.attribute=!1),this._$Ei(),this.prototype.hasOwnProperty(e)&&((t=Object.create(t)).wrapped=!0),this.elementProperties.set(e,t),!t.noAccessor){let n=Symbol(),r=this.getPropertyDescriptor(e,n,t);r!==void 0&&d(this.prototype,e,r)}}static getPropertyDescriptor(e,t,n){let{get:r,set:i}=f(this.prototype,e)??{get(){return this[t]},set(e){this[t]=e}};return{get:r,set(t){let a=r?.call(this);i?.call(this,t),this.requestUpdate(e,a,n)},configurable:!0,enumerable:!0}}static getPropertyOptions(e){return this.elementProperties.get(e)??ae}static _$Ei(){if(this.hasOwnProperty(g(`elementProperties`)))return;let e=ee(this);e.finalize(),e.l!==void 0&&(this.l=[...e.l]),this.elementProperties=new Map(e.elementProperties)}static finalize(){if(this.hasOwnProperty(g(`finalized`)))return;if(this.finalized=!0,this._$Ei(),this.hasOwnProperty(g(`properties`))){let e=this.properties,t=[...p(e),...m(e)];for(let n of t)this.createProperty(n,e[n])}let e=this[Symbol.metadata];if(e!==null){let t=litPropertyMetadata.get(e);if(t!==void 0)for(let[e,n]of t)this.elementProperties.set(e,n)}this._$Eh=/* @__PURE__ */ new Map;for(let[e,t]of this.elementProperties){let n=this._$Eu(e,t);n!==void 0&&this._$Eh.set(n,e)}this.elementStyles=this.finalizeStyles(this.styles)}static finalizeStyles(e){let t=[];if(Array.isArray(e)){let n=new Set(e.flat(1/0).reverse());for(let e of n)t.unshift(c(e))}else e!==void 0&&t.push(c(e));return t}static _$Eu(e,t){let n=t.attribute;return!1===n?void 0:typeof n==`string`?n:typeof e==`string`?e.toLowerCase():void 0}constructor(){super(),this._$Ep=void 0,this.isUpdatePending=!1,this.hasUpdated=!1,this._$Em=null,this._$Ev()}_$Ev(){this._$ES=new Promise(e=>this.enableUpdating=e),this._$AL=/* @__PURE__ */ new Map,this._$E_(),this.requestUpdate(),this.constructor.l?.forEach(e=>e(this))}addController(e){(this._$EO??(this._$EO=/* @__PURE__ */ new Set)).add(e),this.renderRoot!==void 0&&this.isConnected&&e.hostConnected?.()}removeController(e){this._$EO?.delete(e)}_$E_(){let e=/* @__PURE__ */ new Map,t=this.constructor.elementProperties;for(let n of t.keys())this.hasOwnProperty(n)&&(e.set(n,this[n]),delete this[n]);e.size>0&&(this._$Ep=e)}createRenderRoot(){let e=this.shadowRoot??this.attachShadow(this.constructor.shadowRootOptions);return s(e,this.constructor.elementStyles),e}connectedCallback(){this.renderRoot??(this.renderRoot=this.createRenderRoot()),this.enableUpdating(!0),this._$EO?.forEach(e=>e.hostConnected?.())}enableUpdating(e){}disconnectedCallback(){this._$EO?.forEach(e=>e.hostDisconnected?.())}attributeChangedCallback(e,t,n){this._$AK(e,n)}_$ET(e,t){let n=this.constructor.elementProperties.get(e),r=this.constructor._$Eu(e,n);if(r!==void 0&&!0===n.reflect){let i=(n.converter?.toAttribute===void 0?_:n.converter).toAttribute(t,n.type);this._$Em=e,i==null?this.removeAttribute(r):this.setAttribute(r,i),this._$Em=null}}_$AK(e,t){let n=this.constructor,r=n._$Eh.get(e);if(r!==void 0&&this._$Em!==r){let e=n.getPropertyOptions(r),i=typeof e.converter==`function`?{fromAttribute:e.converter}:e.converter?.fromAttribute===void 0?_:e.converter;this._$Em=r;let a=i.fromAttribute(t,e.type);this[r]=a??this._$Ej?.get(r)??a,this._$Em=null}}requestUpdate(e,t,n,r=!1,i){if(e!==void 0){let a=this.constructor;if(!1===r&&(i=this[e]),n??(n=a.getPropertyOptions(e)),!((n.hasChanged??ie)(i,t)||n.useDefault&&n.reflect&&i===this._$Ej?.get(e)&&!this.hasAttribute(a._$Eu(e,n))))return;this.C(e,t,n)}!1===this.isUpdatePending&&(this._$ES=this._$EP())}C(e,t,{useDefault:n,reflect:r,wrapped:i},a){n&&!(this._$Ej??(this._$Ej=/* @__PURE__ */ new Map)).has(e)&&(this._$Ej.set(e,a??t??this[e]),!0!==i||a!==void 0)||(this._$AL.has(e)||(this.hasUpdated||n||(t=void 0),this._$AL.set(e,t)),!0===r&&this._$Em!==e&&(this._$Eq??(this._$Eq=/* @__PURE__ */ new Set)).add(e))}async _$EP(){this.isUpdatePending=!0;try{await this._$ES}catch(e){Promise.reject(e)}let e=this.scheduleUpdate();return e!=null&&await e,!this.isUpdatePending}scheduleUpdate(){return this.performUpdate()}performUpdate(){if(!this.isUpdatePending)return;if(!this.hasUpdated){if(this.renderRoot??(this.renderRoot=this.createRenderRoot()),this._$Ep){for(let[e,t]of this._$Ep)this[e]=t;this._$Ep=void 0}let e=this.constructor.elementProperties;if(e.size>0)for(let[t,n]of e){let{wrapped:e}=n,r=this[t];!0!==e||this._$AL.has(t)||r===void 0||this.C(t,void 0,n,r)}}let e=!1,t=this._$AL;try{e=this.shouldUpdate(t),e?(this.willUpdate(t),this._$EO?.forEach(e=>e.hostUpdate?.()),this.update(t)):this._$EM()}catch(t){throw e=!1,this._$EM(),t}e&&this._$AE(t)}willUpdate(e){}_$AE(e){this._$EO?.forEach(e=>e.hostUpdated?.()),this.hasUpdated||(this.hasUpdated=!0,this.firstUpdated(e)),this.updated(e)}_$EM(){this._$AL=/* @__PURE__ */ new Map,this.isUpdatePending=!1}get updateComplete(){return this.getUpdateComplete()}getUpdateComplete(){return this._$ES}shouldUpdate(e){return!0}update(e){this._$Eq&&(this._$Eq=this._$Eq.forEach(e=>this._$ET(e,this[e]))),this._$EM()}updated(e){}firstUpdated(e){}};v.elementStyles=[],v.shadowRootOptions={mode:`open`},v[g(`elementProperties`)]=/* @__PURE__ */ new Map,v[g(`finalized`)]=/* @__PURE__ */ new Map,re?.({ReactiveElement:v}),(h.reactiveElementVersions??(h.reactiveElementVersions=[])).push(`2.1.2`);var y=globalThis,oe=e=>e,b=y.trustedTypes,se=b?b.createPolicy(`lit-html`,{createHTML:e=>e}):void 0,x=`$lit$`,S=`lit$${Math.random().toFixed(9).slice(2)}$`,ce=`?`+S,le=`<${ce}>`,C=document,w=()=>C.createComment(``),T=e=>e===null||typeof e!=`object`&&typeof e!=`function`,ue=Array.isArray,de=e=>ue(e)||typeof e?.[Symbol.iterator]==`function`,fe=`[ 	
\f\r]`,E=/<(?:(!--|\/[^a-zA-Z])|(\/?[a-zA-Z][^>\s]*)|(\/?$))/g,pe=/-->/g,me=/>/g,D=RegExp(`>|${fe}(?:([^\\s"'>=/]+)(${fe}*=${fe}*(?:[^ \t\n\f\r"'\`<>=]|("|')|))|$)`,`g`),he=/'/g,ge=/"/g,_e=/^(?:script|style|textarea|title)$/i,O=(e=>(t,...n)=>({_$litType$:e,strings:t,values:n}))(1),k=Symbol.for(`lit-noChange`),A=Symbol.for(`lit-nothing`),ve=/* @__PURE__ */ new WeakMap,j=C.createTreeWalker(C,129);function ye(e,t){if(!ue(e)||!e.hasOwnProperty(`raw`))throw Error(`invalid template strings array`);return se===void 0?t:se.createHTML(t)}var be=(e,t)=>{let n=e.length-1,r=[],i,a=t===2?`<svg>`:t===3?`<math>`:``,o=E;for(let t=0;t<n;t++){let n=e[t],s,c,l=-1,u=0;for(;u<n.length&&(o.lastIndex=u,c=o.exec(n),c!==null);)u=o.lastIndex,o===E?c[1]===`!--`?o=pe:c[1]===void 0?c[2]===void 0?c[3]!==void 0&&(o=D):(_e.test(c[2])&&(i=RegExp(`</`+c[2],`g`)),o=D):o=me:o===D?c[0]===`>`?(o=i??E,l=-1):c[1]===void 0?l=-2:(l=o.lastIndex-c[2].length,s=c[1],o=c[3]===void 0?D:c[3]===`"`?ge:he):o===ge||o===he?o=D:o===pe||o===me?o=E:(o=D,i=void 0);let d=o===D&&e[t+1].startsWith(`/>`)?` `:``;a+=o===E?n+le:l>=0?(r.push(s),n.slice(0,l)+x+n.slice(l)+S+d):n+S+(l===-2?t:d)}return[ye(e,a+(e[n]||`<?>`)+(t===2?`</svg>`:t===3?`</math>`:``)),r]},xe=class e{constructor({strings:t,_$litType$:n},r){let i;this.parts=[];let a=0,o=0,s=t.length-1,c=this.parts,[l,u]=be(t,n);if(this.el=e.createElement(l,r),j.currentNode=this.el.content,n===2||n===3){let e=this.el.content.firstChild;e.replaceWith(...e.childNodes)}for(;(i=j.nextNode())!==null&&c.length<s;){if(i.nodeType===1){if(i.hasAttributes())for(let e of i.getAttributeNames())if(e.endsWith(x)){let t=u[o++],n=i.getAttribute(e).split(S),r=/([.?@])?(.*)/.exec(t);c.push({type:1,index:a,name:r[2],strings:n,ctor:r[1]===`.`?Ce:r[1]===`?`?we:r[1]===`@`?Te:P}),i.removeAttribute(e)}else e.startsWith(S)&&(c.push({type:6,index:a}),i.removeAttribute(e));if(_e.test(i.tagName)){let e=i.textContent.split(S),t=e.length-1;if(t>0){i.textContent=b?b.emptyScript:``;for(let n=0;n<t;n++)i.append(e[n],w()),j.nextNode(),c.push({type:2,index:++a});i.append(e[t],w())}}}else if(i.nodeType===8){if(i.data===ce)c.push({type:2,index:a});else{let e=-1;for(;(e=i.data.indexOf(S,e+1))!==-1;)c.push({type:7,index:a}),e+=S.length-1}}a++}}static createElement(e,t){let n=C.createElement(`template`);return n.innerHTML=e,n}};function M(e,t,n=e,r){if(t===k)return t;let i=r===void 0?n._$Cl:n._$Co?.[r],a=T(t)?void 0:t._$litDirective$;return i?.constructor!==a&&(i?._$AO?.(!1),a===void 0?i=void 0:(i=new a(e),i._$AT(e,n,r)),r===void 0?n._$Cl=i:(n._$Co??(n._$Co=[]))[r]=i),i!==void 0&&(t=M(e,i._$AS(e,t.values),i,r)),t}var Se=class{constructor(e,t){this._$AV=[],this._$AN=void 0,this._$AD=e,this._$AM=t}get parentNode(){return this._$AM.parentNode}get _$AU(){return this._$AM._$AU}u(e){let{el:{content:t},parts:n}=this._$AD,r=(e?.creationScope??C).importNode(t,!0);j.currentNode=r;let i=j.nextNode(),a=0,o=0,s=n[0];for(;s!==void 0;){if(a===s.index){let t;s.type===2?t=new N(i,i.nextSibling,this,e):s.type===1?t=new s.ctor(i,s.name,s.strings,this,e):s.type===6&&(t=new Ee(i,this,e)),this._$AV.push(t),s=n[++o]}a!==s?.index&&(i=j.nextNode(),a++)}return j.currentNode=C,r}p(e){let t=0;for(let n of this._$AV)n!==void 0&&(n.strings===void 0?n._$AI(e[t]):(n._$AI(e,n,t),t+=n.strings.length-2)),t++}},N=class e{get _$AU(){return this._$AM?._$AU??this._$Cv}constructor(e,t,n,r){this.type=2,this._$AH=A,this._$AN=void 0,this._$AA=e,this._$AB=t,this._$AM=n,this.options=r,this._$Cv=r?.isConnected??!0}get parentNode(){let e=this._$AA.parentNode,t=this._$AM;return t!==void 0&&e?.nodeType===11&&(e=t.parentNode),e}get startNode(){return this._$AA}get endNode(){return this._$AB}_$AI(e,t=this){e=M(this,e,t),T(e)?e===A||e==null||e===``?(this._$AH!==A&&this._$AR(),this._$AH=A):e!==this._$AH&&e!==k&&this._(e):e._$litType$===void 0?e.nodeType===void 0?de(e)?this.k(e):this._(e):this.T(e):this.$(e)}O(e){return this._$AA.parentNode.insertBefore(e,this._$AB)}T(e){this._$AH!==e&&(this._$AR(),this._$AH=this.O(e))}_(e){this._$AH!==A&&T(this._$AH)?this._$AA.nextSibling.data=e:this.T(C.createTextNode(e)),this._$AH=e}$(e){let{values:t,_$litType$:n}=e,r=typeof n==`number`?this._$AC(e):(n.el===void 0&&(n.el=xe.createElement(ye(n.h,n.h[0]),this.options)),n);if(this._$AH?._$AD===r)this._$AH.p(t);else{let e=new Se(r,this),n=e.u(this.options);e.p(t),this.T(n),this._$AH=e}}_$AC(e){let t=ve.get(e.strings);return t===void 0&&ve.set(e.strings,t=new xe(e)),t}k(t){ue(this._$AH)||(this._$AH=[],this._$AR());let n=this._$AH,r,i=0;for(let a of t)i===n.length?n.push(r=new e(this.O(w()),this.O(w()),this,this.options)):r=n[i],r._$AI(a),i++;i<n.length&&(this._$AR(r&&r._$AB.nextSibling,i),n.length=i)}_$AR(e=this._$AA.nextSibling,t){for(this._$AP?.(!1,!0,t);e!==this._$AB;){let t=oe(e).nextSibling;oe(e).remove(),e=t}}setConnected(e){this._$AM===void 0&&(this._$Cv=e,this._$AP?.(e))}},P=class{get tagName(){return this.element.tagName}get _$AU(){return this._$AM._$AU}constructor(e,t,n,r,i){this.type=1,this._$AH=A,this._$AN=void 0,this.element=e,this.name=t,this._$AM=r,this.options=i,n.length>2||n[0]!==``||n[1]!==``?(this._$AH=Array(n.length-1).fill(/* @__PURE__ */ new String),this.strings=n):this._$AH=A}_$AI(e,t=this,n,r){let i=this.strings,a=!1;if(i===void 0)e=M(this,e,t,0),a=!T(e)||e!==this._$AH&&e!==k,a&&(this._$AH=e);else{let r=e,o,s;for(e=i[0],o=0;o<i.length-1;o++)s=M(this,r[n+o],t,o),s===k&&(s=this._$AH[o]),a||(a=!T(s)||s!==this._$AH[o]),s===A?e=A:e!==A&&(e+=(s??``)+i[o+1]),this._$AH[o]=s}a&&!r&&this.j(e)}j(e){e===A?this.element.removeAttribute(this.name):this.element.setAttribute(this.name,e??``)}},Ce=class extends P{constructor(){super(...arguments),this.type=3}j(e){this.element[this.name]=e===A?void 0:e}},we=class extends P{constructor(){super(...arguments),this.type=4}j(e){this.element.toggleAttribute(this.name,!!e&&e!==A)}},Te=class extends P{constructor(e,t,n,r,i){super(e,t,n,r,i),this.type=5}_$AI(e,t=this){if((e=M(this,e,t,0)??A)===k)return;let n=this._$AH,r=e===A&&n!==A||e.capture!==n.capture||e.once!==n.once||e.passive!==n.passive,i=e!==A&&(n===A||r);r&&this.element.removeEventListener(this.name,this,n),i&&this.element.addEventListener(this.name,this,e),this._$AH=e}handleEvent(e){typeof this._$AH==`function`?this._$AH.call(this.options?.host??this.element,e):this._$AH.handleEvent(e)}},Ee=class{constructor(e,t,n){this.element=e,this.type=6,this._$AN=void 0,this._$AM=t,this.options=n}get _$AU(){return this._$AM._$AU}_$AI(e){M(this,e)}},De={M:x,P:S,A:ce,C:1,L:be,R:Se,D:de,V:M,I:N,H:P,N:we,U:Te,B:Ce,F:Ee};(0,y.litHtmlPolyfillSupport)?.(xe,N),(y.litHtmlVersions??(y.litHtmlVersions=[])).push(`3.3.3`);var Oe=(e,t,n)=>{let r=n?.renderBefore??t,i=r._$litPart$;if(i===void 0){let e=n?.renderBefore??null;r._$litPart$=i=new N(t.insertBefore(w(),e),e,void 0,n??{})}return i._$AI(e),i},F=globalThis,I=class extends v{constructor(){super(...arguments),this.renderOptions={host:this},this._$Do=void 0}createRenderRoot(){var e;let t=super.createRenderRoot();return(e=this.renderOptions).renderBefore??(e.renderBefore=t.firstChild),t}update(e){let t=this.render();this.hasUpdated||(this.renderOptions.isConnected=this.isConnected),super.update(e),this._$Do=Oe(t,this.renderRoot,this.renderOptions)}connectedCallback(){super.connectedCallback(),this._$Do?.setConnected(!0)}disconnectedCallback(){super.disconnectedCallback(),this._$Do?.setConnected(!1)}render(){return k}};I._$litElement$=!0,I.finalized=!0,F.litElementHydrateSupport?.({LitElement:I}),(0,F.litElementPolyfillSupport)?.({LitElement:I}),(F.litElementVersions??(F.litElementVersions=[])).push(`4.2.2`);var ke={attribute:!0,type:String,converter:_,reflect:!1,hasChanged:ie},Ae=(e=ke,t,n)=>{let{kind:r,metadata:i}=n,a=globalThis.litPropertyMetadata.get(i);if(a===void 0&&globalThis.litPropertyMetadata.set(i,a=/* @__PURE__ */ new Map),r===`setter`&&((e=Object.create(e)).wrapped=!0),a.set(n.name,e),r===`accessor`){let{name:r}=n;return{set(n){let i=t.get.call(this);t.set.call(this,n),this.requestUpdate(r,i,e,!0,n)},init(t){return t!==void 0&&this.C(r,void 0,e,t),t}}}if(r===`setter`){let{name:r}=n;return function(n){let i=this[r];t.call(this,n),this.requestUpdate(r,i,e,!0,n)}}throw Error(`Unsupported decorator location: `+r)};function L(e){return(t,n)=>typeof n==`object`?Ae(e,t,n):((e,t,n)=>{let r=t.hasOwnProperty(n);return t.constructor.createProperty(n,e),r?Object.getOwnPropertyDescriptor(t,n):void 0})(e,t,n)}function R(e){return L({...e,state:!0,attribute:!1})}var je={ATTRIBUTE:1,CHILD:2,PROPERTY:3,BOOLEAN_ATTRIBUTE:4,EVENT:5,ELEMENT:6},Me=e=>(...t)=>({_$litDirective$:e,values:t}),Ne=class{constructor(e){}get _$AU(){return this._$AM._$AU}_$AT(e,t,n){this._$Ct=e,this._$AM=t,this._$Ci=n}_$AS(e,t){return this.update(e,t)}update(e,t){return this.render(...t)}},{I:Pe}=De,Fe=e=>e,Ie=()=>document.createComment(``),z=(e,t,n)=>{let r=e._$AA.parentNode,i=t===void 0?e._$AB:t._$AA;if(n===void 0)n=new Pe(r.insertBefore(Ie(),i),r.insertBefore(Ie(),i),e,e.options);else{let t=n._$AB.nextSibling,a=n._$AM,o=a!==e;if(o){let t;n._$AQ?.(e),n._$AM=e,n._$AP!==void 0&&(t=e._$AU)!==a._$AU&&n._$AP(t)}if(t!==i||o){let e=n._$AA;for(;e!==t;){let t=Fe(e).nextSibling;Fe(r).insertBefore(e,i),e=t}}}return n},B=(e,t,n=e)=>(e._$AI(t,n),e),Le={},Re=(e,t=Le)=>e._$AH=t,ze=e=>e._$AH,V=e=>{e._$AR(),e._$AA.remove()},Be=(e,t,n)=>{let r=/* @__PURE__ */ new Map;for(let i=t;i<=n;i++)r.set(e[i],i);return r},Ve=Me(class extends Ne{constructor(e){if(super(e),e.type!==je.CHILD)throw Error(`repeat() can only be used in text expressions`)}dt(e,t,n){let r;n===void 0?n=t:t!==void 0&&(r=t);let i=[],a=[],o=0;for(let t of e)i[o]=r?r(t,o):o,a[o]=n(t,o),o++;return{values:a,keys:i}}render(e,t,n){return this.dt(e,t,n).values}update(e,[t,n,r]){let i=ze(e),{values:a,keys:o}=this.dt(t,n,r);if(!Array.isArray(i))return this.ut=o,a;let s=this.ut??(this.ut=[]),c=[],l,u,d=0,f=i.length-1,p=0,m=a.length-1;for(;d<=f&&p<=m;)if(i[d]===null)d++;else if(i[f]===null)f--;else if(s[d]===o[p])c[p]=B(i[d],a[p]),d++,p++;else if(s[f]===o[m])c[m]=B(i[f],a[m]),f--,m--;else if(s[d]===o[m])c[m]=B(i[d],a[m]),z(e,c[m+1],i[d]),d++,m--;else if(s[f]===o[p])c[p]=B(i[f],a[p]),z(e,i[d],i[f]),f--,p++;else if(l===void 0&&(l=Be(o,p,m),u=Be(s,d,f)),l.has(s[d])){if(l.has(s[f])){let t=u.get(o[p]),n=t===void 0?null:i[t];if(n===null){let t=z(e,i[d]);B(t,a[p]),c[p]=t}else c[p]=B(n,a[p]),z(e,i[d],n),i[t]=null;p++}else V(i[f]),f--}else V(i[d]),d++;for(;p<=m;){let t=z(e,c[m+1]);B(t,a[p]),c[p++]=t}for(;d<=f;){let e=i[d++];e!==null&&V(e)}return this.ut=o,Re(e,c),k}}),He={"card.session.name":`PiOrchestrator session`,"card.session.description":`One Pi's provisioning session: boards, actions, allowlist.`,"card.fleet.name":`PiOrchestrator fleet`,"card.fleet.description":`Every configured Pi at a glance.`,"editor.entry":`Pi`,"error.no_entry":`Choose a Pi in the card's settings (entry_id).`,"status.loading":`Loading…`,"status.reconnecting":`Reconnecting to Home Assistant… the figures shown may be out of date.`,"status.subscribe_failed":`Could not load this Pi: {message}`,"stream.events":`Events`,"stream.monitor":`Monitor`,"stream.connected":`live`,"stream.reconnecting":`reconnecting`,"stream.polling":`polling`,"stream.offline":`offline`,"session.none":`No session`,"session.state.discovering":`Discovering`,"session.state.active":`Active`,"session.state.paused":`Paused`,"session.state.closing":`Closing`,"session.state.closed":`Closed`,"session.state.unknown":`Unknown`,"session.target":`Network {ssid}`,"session.progress":`Progress`,"count.found":`Found`,"count.busy":`Busy`,"count.verified":`Verified`,"count.failed":`Failed`,"action.start":`Start`,"action.pause":`Pause`,"action.resume":`Resume`,"action.stop":`Stop`,"action.provision_all":`Provision all`,"action.retry_failed":`Retry failed`,"action.provision":`Provision`,"action.retry":`Retry`,"action.skip":`Skip`,"action.cancel":`Cancel`,"action.close":`Close`,"action.add":`Add`,"action.save":`Save`,"action.edit":`Edit`,"action.remove":`Remove`,"action.add_all":`Add all`,"action.dismiss":`Dismiss`,"aria.board_action":`{action} board {name}`,"aria.entry_action":`{action} allowlist entry {mac}`,"aria.signal":`Signal {bars} of 4 bars ({rssi} dBm)`,"aria.signal_unknown":`Signal unknown`,"aria.progress":`{done} of {total} boards finished`,"reason.no_session":`No session is running.`,"reason.session_open":`A session is already running; stop it first.`,"reason.session_paused":`The session is paused; resume it first.`,"reason.session_not_paused":`The session is not paused.`,"reason.session_ending":`The session is closing.`,"reason.interrupted":`An interrupted session is waiting; resume it from the banner or start a new one.`,"reason.nothing_to_provision":`No board is waiting to be provisioned.`,"reason.no_failed":`No board has failed.`,"reason.offline":`The Pi is offline.`,"reason.busy":`Another action is in progress.`,"reason.board_not_discovered":`Only a discovered board can be provisioned.`,"reason.board_not_failed":`Only a failed board can be retried.`,"reason.board_max_retries":`This board was already retried {max} times.`,"reason.board_in_flight":`The board is being provisioned.`,"reason.board_verified":`The board is already verified.`,"board.state.discovered":`Discovered`,"board.state.provisioning":`Provisioning`,"board.state.provisioned":`Provisioned`,"board.state.verifying":`Verifying`,"board.state.verified":`Verified`,"board.state.failed":`Failed`,"board.state.unknown":`Unknown`,"board.ip":`IP`,"board.retries":`Retries`,"board.not_allowlisted":`Not in the allowlist`,"boards.title":`Boards`,"boards.empty":`No board found yet.`,"start.title":`Start a provisioning session`,"start.ssid":`WiFi network (SSID)`,"start.password":`WiFi password`,"start.password_hint":`8 to 63 characters, or empty for an open network. It is sent to the Pi and not kept here.`,"start.invalid_ssid":`Enter the network name (1 to 32 bytes).`,"start.invalid_password":`The password must have 8 to 63 characters (or 64 hex digits), or be empty.`,"recover.title":`An interrupted session can be resumed`,"recover.text":`Session {id} on {ssid} ({count} boards, {state}) stopped when the Pi went down.`,"allowlist.title":`Allowlist`,"allowlist.counts":`{used} used, {available} available of {total}`,"allowlist.mac":`MAC address`,"allowlist.description":`Description`,"allowlist.container":`Container`,"allowlist.status":`Status`,"allowlist.used":`Used`,"allowlist.available":`Available`,"allowlist.empty":`The allowlist is empty.`,"allowlist.add_title":`Add a board`,"allowlist.bulk_title":`Paste several MAC addresses`,"allowlist.bulk_hint":`One per line, or separated by commas or spaces.`,"allowlist.invalid_mac":`{value} is not a MAC address; expected six hex pairs such as AA:BB:CC:DD:EE:FF.`,"allowlist.bulk_invalid":`Not MAC addresses: {values}`,"allowlist.bulk_none":`Paste at least one MAC address.`,"allowlist.confirm_remove":`Remove {mac} from the allowlist?`,"fleet.title":`Pi fleet`,"fleet.empty":`No Pi is configured.`,"fleet.col.pi":`Pi`,"fleet.col.streams":`Streams`,"fleet.col.health":`Health`,"fleet.col.door":`Door`,"fleet.col.session":`Session`,"fleet.failed":`{count} failed: {names}`,"fleet.open":`Open the session of {name}`,"fleet.boards":`{count} boards`,"health.cpu":`CPU {value}%`,"health.memory":`Memory {value}%`,"health.temperature":`{value} °C`,"door.open":`Open`,"door.closed":`Closed`,"door.unknown":`Unknown`,"lock.locked":`locked`,"lock.unlocked":`unlocked`,"lock.unknown":`lock unknown`,"error.action":`{action} failed: {message}`},Ue={en:He},We=`en`;function Ge(e){let t=(e??`en`).toLowerCase();We=Ue[t]?t:Ue[t.split(`-`)[0]]?t.split(`-`)[0]:`en`}function H(e,t={}){return(Ue[We]?.[e]??He[e]).replace(/\{(\w+)\}/g,(e,n)=>n in t?String(t[n]):e)}var Ke=/* @__PURE__ */ new Set([`provisioning`,`provisioned`,`verifying`]),qe=/* @__PURE__ */ new Set([`discovering`,`active`]),Je=/* @__PURE__ */ new Set([`discovering`,`active`,`paused`,`closing`]),Ye={failed:0,provisioning:1,provisioned:1,verifying:1,discovered:2,unknown:3,verified:4};function U(e){return e.name?.trim()||e.mac}function Xe(e){return[...e].sort((e,t)=>(Ye[e.state]??3)-(Ye[t.state]??3)||U(e).localeCompare(U(t))||e.mac.localeCompare(t.mac))}function Ze(e){let t={found:e.length,busy:0,verified:0,failed:0,waiting:0};for(let n of e)Ke.has(n.state)?t.busy+=1:n.state===`verified`?t.verified+=1:n.state===`failed`?t.failed+=1:n.state===`discovered`&&(t.waiting+=1);return t}function Qe(e){return e.found?(e.verified+e.failed)/e.found:0}function $e(e){return e==null||!Number.isFinite(e)?null:e>=-55?4:e>=-67?3:e>=-75?2:+(e>=-85)}var et={discovered:`mdi:magnify`,provisioning:`mdi:progress-upload`,provisioned:`mdi:wifi-arrow-up`,verifying:`mdi:progress-check`,verified:`mdi:check-circle`,failed:`mdi:alert-circle`};function tt(e){return et[e]??`mdi:help-circle`}function nt(e){return e===`failed`?`var(--error-color, #db4437)`:e===`verified`?`var(--success-color, #43a047)`:Ke.has(e)?`var(--warning-color, #ffa600)`:e===`discovered`?`var(--info-color, #039be5)`:`var(--disabled-text-color, #9e9e9e)`}function rt(e){return!!e&&Je.has(e.state)}function it(e){return!!e&&e.events===`offline`&&e.monitor===`offline`}function at(e,t=!1){let n={},r=(e,t)=>{n[e]??(n[e]=H(t))},i=[`start`,`pause`,`resume`,`stop`,`provision_all`,`retry_failed`];if(t)for(let e of i)r(e,`reason.busy`);if(it(e.streams))for(let e of i)r(e,`reason.offline`);let a=e.session;if(!rt(a)){for(let e of i.slice(1))r(e,`reason.no_session`);return n}if(r(`start`,`reason.session_open`),a.state===`closing`){for(let e of i.slice(1))r(e,`reason.session_ending`);return n}return a.state===`paused`?(r(`pause`,`reason.session_paused`),r(`provision_all`,`reason.session_paused`),r(`retry_failed`,`reason.session_paused`)):r(`resume`,`reason.session_not_paused`),!qe.has(a.state)&&a.state!==`paused`&&r(`provision_all`,`reason.no_session`),e.boards.some(e=>e.state===`discovered`)||r(`provision_all`,`reason.nothing_to_provision`),ot(e.boards).length||r(`retry_failed`,`reason.no_failed`),n}function ot(e){return e.filter(e=>e.state===`failed`&&e.retry_count<3)}function st(e,t){let n={};return t?{provision:t,retry:t,skip:t}:(e.state===`discovered`?e.in_allowlist||(n.provision=H(`board.not_allowlisted`)):n.provision=H(`reason.board_not_discovered`),e.state===`failed`?e.retry_count>=3&&(n.retry=H(`reason.board_max_retries`,{max:3})):n.retry=H(`reason.board_not_failed`),Ke.has(e.state)?n.skip=H(`reason.board_in_flight`):e.state===`verified`&&(n.skip=H(`reason.board_verified`)),n)}function ct(e){if(it(e.streams))return H(`reason.offline`);let t=e.session;return rt(t)?t.state===`closing`?H(`reason.session_ending`):t.state===`paused`?H(`reason.session_paused`):null:H(`reason.no_session`)}var lt=/^[0-9A-Fa-f]{2}([:\-.]?)(?:[0-9A-Fa-f]{2}\1){4}[0-9A-Fa-f]{2}$/,ut=/^[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}$/;function dt(e){let t=e.trim();return!lt.test(t)&&!ut.test(t)?null:t.replace(/[:\-.]/g,``).toUpperCase().match(/../g).join(`:`)}function ft(e){let t=[],n=[];for(let r of e.split(/[\s,;]+/)){if(!r)continue;let e=dt(r);e===null?n.push(r):t.includes(e)||t.push(e)}return{macs:t,invalid:n}}function pt(e){let t=new TextEncoder().encode(e).length;return t>=1&&t<=32?null:H(`start.invalid_ssid`)}function mt(e){return e===``||e.length>=8&&e.length<=63||/^[0-9a-fA-F]{64}$/.test(e)?null:H(`start.invalid_password`)}function ht(e){let t=`stream.${e}`;return[`connected`,`reconnecting`,`polling`,`offline`].includes(e)?H(t):e}function gt(e){return e?[`discovering`,`active`,`paused`,`closing`,`closed`,`unknown`].includes(e.state)?H(`session.state.${e.state}`):e.state:H(`session.none`)}function _t(e){return[`discovered`,`provisioning`,`provisioned`,`verifying`,`verified`,`failed`,`unknown`].includes(e)?H(`board.state.${e}`):e}function W(e,t=0){return e==null||!Number.isFinite(e)?null:e.toFixed(t)}function vt(e){if(e&&typeof e==`object`){let t=e.message;if(typeof t==`string`&&t)return t;let n=e.code;if(typeof n==`string`||typeof n==`number`)return String(n)}return typeof e==`string`&&e?e:`unknown error`}var yt=o`
  :host {
    --pio-gap: var(--ha-space-3, 12px);
    --pio-radius: var(--ha-card-border-radius, 12px);
    --pio-fg: var(--primary-text-color, #212121);
    --pio-fg2: var(--secondary-text-color, #727272);
    --pio-accent: var(--primary-color, #03a9f4);
    --pio-divider: var(--divider-color, rgba(0, 0, 0, 0.12));
    --pio-error: var(--error-color, #db4437);
    --pio-warning: var(--warning-color, #ffa600);
    --pio-success: var(--success-color, #43a047);
    --pio-bg: var(--ha-card-background, var(--card-background-color, #fff));
    color: var(--pio-fg);
  }
  button {
    font: inherit;
    font-size: var(--ha-font-size-s, 0.875rem);
    color: var(--text-primary-color, #fff);
    background: var(--pio-accent);
    border: 1px solid transparent;
    border-radius: 8px;
    padding: 6px 12px;
    min-height: 36px;
    cursor: pointer;
  }
  button.secondary {
    color: var(--pio-accent);
    background: transparent;
    border-color: var(--pio-divider);
  }
  button.danger {
    background: var(--pio-error);
  }
  button:disabled {
    cursor: not-allowed;
    opacity: 0.45;
  }
  button:focus-visible,
  input:focus-visible,
  textarea:focus-visible,
  .focusable:focus-visible {
    outline: 2px solid var(--pio-accent);
    outline-offset: 2px;
  }
  input,
  textarea {
    font: inherit;
    color: var(--pio-fg);
    background: var(--pio-bg);
    border: 1px solid var(--pio-divider);
    border-radius: 6px;
    padding: 6px 8px;
    box-sizing: border-box;
    min-height: 36px;
    max-width: 100%;
  }
  input[aria-invalid="true"],
  textarea[aria-invalid="true"] {
    border-color: var(--pio-error);
  }
  .muted {
    color: var(--pio-fg2);
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    padding: 0;
    margin: -1px;
    overflow: hidden;
    clip: rect(0, 0, 0, 0);
    white-space: nowrap;
    border: 0;
  }
  .bar {
    height: 8px;
    border-radius: 4px;
    background: var(--pio-divider);
    overflow: hidden;
  }
  .bar > span {
    display: block;
    height: 100%;
    background: var(--pio-accent);
  }
  .field-error {
    color: var(--pio-error);
    font-size: var(--ha-font-size-s, 0.875rem);
  }
  dialog {
    color: var(--pio-fg);
    background: var(--pio-bg);
    border: none;
    border-radius: var(--pio-radius);
    padding: 16px;
    max-width: min(92vw, 480px);
    box-sizing: border-box;
  }
  dialog:not([open]) {
    display: none;
  }
  dialog::backdrop {
    background: rgba(0, 0, 0, 0.4);
  }
`,bt=o`
  :host {
    display: block;
    container-type: inline-size;
  }
  ha-card {
    height: 100%;
    box-sizing: border-box;
    padding: 16px;
  }
  h2 {
    font-size: var(--ha-font-size-xl, 1.25rem);
    font-weight: var(--ha-font-weight-medium, 500);
  }
  .status:empty {
    display: none;
  }
  .status {
    color: var(--pio-warning);
  }
`;function xt(e){if(e&&!e.open){if(typeof e.showModal==`function`)try{e.showModal();return}catch{}e.setAttribute(`open`,``)}}function St(e){e&&(typeof e.close==`function`?e.close():e.removeAttribute(`open`),e.removeAttribute(`open`))}function G(e,t,n,r){var i=arguments.length,a=i<3?t:r===null?r=Object.getOwnPropertyDescriptor(t,n):r,o;if(typeof Reflect==`object`&&typeof Reflect.decorate==`function`)a=Reflect.decorate(e,t,n,r);else for(var s=e.length-1;s>=0;s--)(o=e[s])&&(a=(i<3?o(a):i>3?o(t,n,a):o(t,n))||a);return i>3&&a&&Object.defineProperty(t,n,a),a}var Ct,wt=`piorchestrator-board-tile`,K=class extends I{constructor(...e){super(...e),this.sessionReason=null,this.busy=!1}render(){let e=this.board;if(!e)return A;let t=U(e),n=this.busy?{provision:H(`reason.busy`),retry:H(`reason.busy`),skip:H(`reason.busy`)}:st(e,this.sessionReason);return O`
      <article
        class=${/^[a-z_]+$/.test(e.state)?e.state:`unknown`}
        style=${`--state-color:${nt(e.state)}`}
        aria-label=${t}
      >
        <div class="top">
          <ha-icon icon=${tt(e.state)} aria-hidden="true"></ha-icon>
          <span class="name" title=${t}>${t}</span>
          ${this._signal(e.rssi)}
        </div>
        ${e.name?O`<div class="mac">${e.mac}</div>`:A}
        <div class="state">${_t(e.state)}</div>
        <dl class="meta">
          ${e.ip?O`<div><dt>${H(`board.ip`)}</dt><dd>${e.ip}</dd></div>`:A}
          <div><dt>${H(`board.retries`)}</dt><dd>${e.retry_count}</dd></div>
          ${e.in_allowlist?A:O`<div><dd>${H(`board.not_allowlisted`)}</dd></div>`}
        </dl>
        ${e.state===`failed`&&e.error?O`<p class="error">${e.error}</p>`:A}
        <div class="actions">
          ${[`provision`,`retry`,`skip`].map(e=>this._button(e,t,n[e]))}
        </div>
      </article>
    `}_signal(e){let t=$e(e),n=t===null?H(`aria.signal_unknown`):H(`aria.signal`,{bars:t,rssi:e??``});return O`<span class="signal" role="img" aria-label=${n} title=${n}>
      ${[1,2,3,4].map(e=>O`<i class=${t!==null&&e<=t?`on`:``} style=${`height:${e*25}%`}></i>`)}
    </span>`}_button(e,t,n){let r=H(`action.${e}`);return O`<button
      class=${e===`skip`?`secondary`:``}
      data-action=${e}
      ?disabled=${!!n}
      title=${n??r}
      aria-label=${H(`aria.board_action`,{action:r,name:t})}
      aria-description=${n??A}
      @click=${()=>this._fire(e)}
    >
      ${r}
    </button>`}_fire(e){this.dispatchEvent(new CustomEvent(`board-action`,{detail:{action:e,mac:this.board.mac},bubbles:!0,composed:!0}))}};Ct=K,Ct.styles=[yt,o`
      :host {
        display: block;
        /* A 500-board session: the browser lays out and paints only the tiles in view. */
        content-visibility: auto;
        contain-intrinsic-size: auto 170px;
      }
      article {
        height: 100%;
        box-sizing: border-box;
        border: 1px solid var(--pio-divider);
        border-left: 4px solid var(--state-color);
        border-radius: 8px;
        padding: 8px 10px;
        display: flex;
        flex-direction: column;
        gap: 4px;
        min-width: 0;
      }
      article.failed {
        background: color-mix(in srgb, var(--pio-error) 8%, transparent);
      }
      .top {
        display: flex;
        align-items: center;
        gap: 6px;
        min-width: 0;
      }
      .name {
        font-weight: var(--ha-font-weight-medium, 500);
        flex: 1;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      ha-icon {
        color: var(--state-color);
        --mdc-icon-size: 20px;
        flex: none;
      }
      .mac {
        font-family: var(--ha-font-family-code, monospace);
        font-size: var(--ha-font-size-s, 0.875rem);
        color: var(--pio-fg2);
        overflow-wrap: anywhere;
      }
      .state {
        color: var(--state-color);
        font-weight: var(--ha-font-weight-medium, 500);
      }
      .meta {
        display: flex;
        flex-wrap: wrap;
        gap: 2px 12px;
        font-size: var(--ha-font-size-s, 0.875rem);
        color: var(--pio-fg2);
        margin: 0;
      }
      .meta div {
        display: flex;
        gap: 4px;
      }
      .meta dd {
        margin: 0;
        color: var(--pio-fg);
        overflow-wrap: anywhere;
      }
      .error {
        color: var(--pio-error);
        font-size: var(--ha-font-size-s, 0.875rem);
        margin: 0;
        overflow-wrap: anywhere;
      }
      .signal {
        display: inline-flex;
        align-items: flex-end;
        gap: 2px;
        height: 14px;
        flex: none;
      }
      .signal i {
        width: 3px;
        background: var(--pio-divider);
        border-radius: 1px;
      }
      .signal i.on {
        background: var(--pio-fg);
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 6px;
        margin-top: auto;
        padding-top: 4px;
      }
      .actions button {
        padding: 4px 8px;
        min-height: 32px;
      }
    `],G([L({attribute:!1})],K.prototype,`board`,void 0),G([L({attribute:!1})],K.prototype,`sessionReason`,void 0),G([L({type:Boolean})],K.prototype,`busy`,void 0),customElements.get(`piorchestrator-board-tile`)||customElements.define(wt,K);var q=e=>e??A;function Tt(e){return[`events`,`monitor`].map(t=>{let n=e?.[t]??`offline`;return O`<span class="stream stream-${n}"
      >${H(`stream.${t}`)}: ${ht(n)}</span
    >`})}function J(e){let{id:t,error:n}=e,r=n!==void 0,i=r?[e.hint?`${t}-hint`:null,`${t}-error`].filter(Boolean).join(` `):void 0,a=r?n?`true`:`false`:void 0,o=e.spellcheck===!1?`false`:void 0,s=e.rows?O`<textarea
        id=${t}
        rows=${e.rows}
        spellcheck=${q(o)}
        aria-invalid=${q(a)}
        aria-describedby=${q(i)}
      ></textarea>`:O`<input
        id=${t}
        name=${q(e.name)}
        type=${q(e.type)}
        .value=${e.value??``}
        autocomplete=${q(e.autocomplete)}
        spellcheck=${q(o)}
        placeholder=${q(e.placeholder)}
        ?required=${e.required??!1}
        aria-invalid=${q(a)}
        aria-describedby=${q(i)}
      />`;return O`<label>
    <span>${e.label}</span>
    ${s}
  </label>`}function Et(e,t){return O`<span id="${e}-hint" class="muted hint">${t}</span>`}function Y(e,t){return O`<span id="${e}-error" class="field-error">${t??A}</span>`}var Dt=[`session`,`streams`,`health`,`door`,`allowlist_counts`,`recoverable`];function Ot(e,t=[],n=[]){if(!t.length&&!n.length)return e;let r=new Map(t.map(e=>[e.mac,e])),i=new Set(n),a=[];for(let t of e){if(i.has(t.mac))continue;let e=r.get(t.mac);e?(r.delete(t.mac),a.push(e)):a.push(t)}for(let e of r.values())i.has(e.mac)||a.push(e);return a}function kt(e,t){if(t.kind===`snapshot`){let e=t.pi;return e.boards&&e.recoverable?e:{...e,boards:e.boards??[],recoverable:e.recoverable??[]}}if(t.kind!==`changes`||e===null)return e;let n={...e};for(let e of Dt)e in t&&(n[e]=t[e]);return`allowlist`in t&&(n.allowlist=t.allowlist),(t.boards||t.removed_boards)&&(n.boards=Ot(e.boards,t.boards,t.removed_boards)),n}function At(e,t){if(t.kind===`snapshot`)return t.pis;if(t.kind!==`changes`||e===null)return e;let n=new Map((t.pis??[]).map(e=>[e.entry_id,e])),r=new Set(t.removed??[]),i=[];for(let t of e)r.has(t.entry_id)||(i.push(n.get(t.entry_id)??t),n.delete(t.entry_id));for(let e of n.values())r.has(e.entry_id)||i.push(e);return i}var jt=3e4,Mt=class{constructor(e,t){this._host=e,this._options=t,this._generation=0,this._error=null,this._reconnecting=!1,this._onDisconnected=()=>{this._setReconnecting(!0)},e.addController(this)}get error(){return this._error}set error(e){this._setError(e)}get reconnecting(){return this._reconnecting}get hass(){return this._hass}set hass(e){let t=this._hass;this._hass=e,t&&t.connection!==e.connection&&this.stop(),this.subscribe()}hostConnected(){this.subscribe()}hostDisconnected(){this.stop()}subscribe(){let e=this._hass;if(!this._host.isConnected||!e||this._unsubscribe)return;let t=this._options.request();if(!t)return;let n=++this._generation,r=e.connection;this._connection=r,r.removeEventListener?.(`disconnected`,this._onDisconnected),r.addEventListener?.(`disconnected`,this._onDisconnected),this._unsubscribe=r.subscribeMessage(e=>{n===this._generation&&(e.kind===`snapshot`&&(this._setReconnecting(!1),this._setError(null)),this._options.onMessage(e))},t),this._unsubscribe.catch(e=>{n===this._generation&&(this._setError(vt(e)),this._retry=setTimeout(()=>{n===this._generation&&(this._unsubscribe=void 0,this.subscribe())},jt))})}async stop(){let e=this._unsubscribe;if(this._unsubscribe=void 0,this._generation+=1,clearTimeout(this._retry),this._connection?.removeEventListener?.(`disconnected`,this._onDisconnected),this._connection=void 0,e)try{await(await e)()}catch(e){e?.code!==`not_found`&&!this._error&&console.warn(`piorchestrator: could not unsubscribe:`,vt(e))}}_setError(e){this._error!==e&&(this._error=e,this._host.requestUpdate())}_setReconnecting(e){this._reconnecting!==e&&(this._reconnecting=e,this._host.requestUpdate())}},Nt,X=`piorchestrator-session-card`,Z=`piorchestrator`,Q=class extends I{constructor(...e){super(...e),this._pi=null,this._errors=[],this._pending=null,this._pendingBoards=/* @__PURE__ */ new Set,this._startError={},this._macError=null,this._bulkError=null,this._editing=null,this._errorId=0,this._sorted=[],this._subscription=new Mt(this,{request:()=>{let e=this._config?.entry_id;return e?{type:`${Z}/subscribe`,entry_id:e}:void 0},onMessage:e=>{this._pi=kt(this._pi,e)}}),this._onBoardAction=e=>{this._boardAction(e)}}static getConfigForm(){return{schema:[{name:`entry_id`,required:!0,selector:{config_entry:{integration:Z}}}],computeLabel:e=>e.name===`entry_id`?H(`editor.entry`):void 0}}static async getStubConfig(e){let t=``;try{let n=await e.callWS({type:`${Z}/entries`});t=(n.find(e=>e.state===`loaded`)??n[0])?.entry_id??``}catch{}return{type:`custom:${X}`,entry_id:t}}setConfig(e){if(!e||typeof e!=`object`)throw Error(H(`error.no_entry`));let t=e.entry_id!==this._config?.entry_id;this._config={...e},t&&(this._subscription.stop(),this._pi=null,this._subscription.error=null,this._subscription.subscribe())}set hass(e){Ge(e.locale?.language??e.language),this._subscription.hass=e}get hass(){return this._subscription.hass}getCardSize(){let e=this._pi?.boards.length??0;return 4+Math.min(12,Math.ceil(e/3)*3)}getGridOptions(){return{columns:12,rows:`auto`,min_rows:4,min_columns:6}}_addError(e,t){let n=H(`error.action`,{action:e,message:vt(t)});this._errors=[...this._errors,{id:++this._errorId,text:n}]}async _call(e,t,n={}){let r=this.hass,i=this._config?.entry_id;if(!r||!i)return!1;try{return await r.callService(Z,t,{config_entry_id:i,...n}),!0}catch(t){return this._addError(e,t),!1}}async _sessionAction(e){if(e===`start`){this._openStart();return}let t=H(`action.${e}`);this._pending=e;try{if(e===`retry_failed`)for(let e of ot(this._pi?.boards??[]))await this._call(`${t} (${U(e)})`,`retry_device`,{mac:e.mac});else{let n={pause:`pause_batch`,resume:`resume_batch`,stop:`stop_batch`,provision_all:`provision_all`}[e];await this._call(t,n)}}finally{this._pending=null}}async _boardAction(e){let{action:t,mac:n}=e.detail,r=this._pi?.boards.find(e=>e.mac===n),i=`${H(`action.${t}`)} (${r?U(r):n})`;this._pendingBoards=/* @__PURE__ */ new Set([...this._pendingBoards,n]);try{await this._call(i,`${t}_device`,{mac:n})}finally{let e=new Set(this._pendingBoards);e.delete(n),this._pendingBoards=e}}_dialog(){return this.renderRoot.querySelector(`dialog.start`)}_openStart(){this._startError={},xt(this._dialog()),this.renderRoot.querySelector(`#ssid`)?.focus()}_closeStart(){let e=this.renderRoot.querySelector(`#password`);e&&(e.value=``),St(this._dialog())}async _submitStart(e){e.preventDefault();let t=this.renderRoot.querySelector(`#ssid`),n=this.renderRoot.querySelector(`#password`);if(!t||!n)return;let r=t.value,i={ssid:pt(r)??void 0,password:mt(n.value)??void 0};if(this._startError=i,!(i.ssid||i.password)){this._pending=`start`;try{await this._call(H(`action.start`),`start_batch`,{target_ssid:r,target_password:n.value})&&this._closeStart()}finally{this._pending=null}}}async _resumeRecoverable(e){this._pending=`resume_session`;try{await this._call(H(`action.resume`),`resume_session`,{session_id:e})}finally{this._pending=null}}_input(e){return this.renderRoot.querySelector(e)}async _addEntry(e){e.preventDefault();let t=this._input(`#al-mac`);if(!t)return;let n=dt(t.value);if(n===null){this._macError=H(`allowlist.invalid_mac`,{value:t.value||`''`});return}this._macError=null;let r=this._input(`#al-description`)?.value.trim()??``,i=this._input(`#al-container`)?.value.trim()??``;this._pending=`allowlist_add`;try{if(await this._call(H(`action.add`),`allowlist_add`,{mac:n,...r?{description:r}:{},...i?{container_id:i}:{}}))for(let e of[`#al-mac`,`#al-description`,`#al-container`]){let t=this._input(e);t&&(t.value=``)}}finally{this._pending=null}}async _addBulk(e){e.preventDefault();let t=this._input(`#al-bulk`);if(!t)return;let{macs:n,invalid:r}=ft(t.value);if(r.length){this._bulkError=H(`allowlist.bulk_invalid`,{values:r.join(`, `)});return}if(!n.length){this._bulkError=H(`allowlist.bulk_none`);return}this._bulkError=null,this._pending=`allowlist_bulk`;let i=!0;try{for(let e of n)i=await this._call(`${H(`action.add`)} (${e})`,`allowlist_add`,{mac:e})&&i;i&&(t.value=``)}finally{this._pending=null}}async _saveEntry(e,t){e.preventDefault();let n=this._input(`#edit-description`)?.value.trim()??``,r=this._input(`#edit-container`)?.value.trim()??``;this._pending=`allowlist_update`;try{await this._call(`${H(`action.save`)} (${t})`,`allowlist_update`,{mac:t,description:n,container_id:r})&&(this._editing=null)}finally{this._pending=null}}async _removeEntry(e){this._pending=`allowlist_remove`;try{await this._call(`${H(`action.remove`)} (${e})`,`allowlist_remove`,{mac:[e]})}finally{this._pending=null}}_sortedBoards(e){return e!==this._sortedFor&&(this._sortedFor=e,this._sorted=Xe(e)),this._sorted}render(){if(!this._config?.entry_id)return O`<ha-card><div class="message">${H(`error.no_entry`)}</div></ha-card>`;let e=this._pi;return O`
      <ha-card>
        ${e?this._renderHeader(e):A}
        ${this._renderStatus(e)}
        <div class="errors" role="alert" aria-live="assertive">
          ${this._errors.map(e=>O`<div class="error-line">
              <span>${e.text}</span>
              <button
                class="secondary"
                aria-label=${`${H(`action.dismiss`)}: ${e.text}`}
                @click=${()=>this._errors=this._errors.filter(t=>t.id!==e.id)}
              >
                ${H(`action.dismiss`)}
              </button>
            </div>`)}
        </div>
        ${e?O`${this._renderRecoverable(e)} ${this._renderActions(e)} ${this._renderBoards(e)}
            ${this._renderAllowlist(e)}`:A}
        ${this._renderStartDialog()}
      </ha-card>
    `}_renderStatus(e){let t=null,n=this._subscription;return n.error?t=H(`status.subscribe_failed`,{message:n.error}):n.reconnecting?t=H(`status.reconnecting`):e||(t=H(`status.loading`)),O`<div class="status ${n.error?`bad`:``}" role="status" aria-live="polite">
      ${t??A}
    </div>`}_renderHeader(e){let t=Ze(e.boards),n=Qe(t),r=t.verified+t.failed,i=e.session;return O`
      <header>
        <div class="title-row">
          <h2>${e.title}</h2>
          <span class="chip session-state">${gt(i)}</span>
        </div>
        <div class="streams">
          ${Tt(e.streams)}
        </div>
        ${i?.target_ssid?O`<div class="target">${H(`session.target`,{ssid:i.target_ssid})}</div>`:A}
        <div
          class="bar"
          role="progressbar"
          aria-label=${H(`session.progress`)}
          aria-valuemin="0"
          aria-valuemax=${t.found}
          aria-valuenow=${r}
          aria-valuetext=${H(`aria.progress`,{done:r,total:t.found})}
        >
          <span style=${`width:${Math.round(n*100)}%`}></span>
        </div>
        <dl class="counts">
          <div><dt>${H(`count.found`)}</dt><dd class="found">${t.found}</dd></div>
          <div><dt>${H(`count.busy`)}</dt><dd class="busy">${t.busy}</dd></div>
          <div><dt>${H(`count.verified`)}</dt><dd class="verified">${t.verified}</dd></div>
          <div class=${t.failed?`has-failed`:``}>
            <dt>${H(`count.failed`)}</dt><dd class="failed">${t.failed}</dd>
          </div>
        </dl>
      </header>
    `}_renderRecoverable(e){return!e.recoverable?.length||rt(e.session)?A:O`${e.recoverable.map(e=>O`<div class="banner" role="region" aria-label=${H(`recover.title`)}>
        <div>
          <strong>${H(`recover.title`)}</strong>
          <p>
            ${H(`recover.text`,{id:e.id,ssid:e.target_ssid??`?`,count:e.device_count,state:e.state})}
          </p>
        </div>
        <button
          class="resume-recoverable"
          ?disabled=${this._pending!==null}
          @click=${()=>this._resumeRecoverable(e.id)}
        >
          ${H(`action.resume`)}
        </button>
      </div>`)}`}_renderActions(e){let t=at(e,this._pending!==null),n=[`start`,e.session?.state===`paused`?`resume`:`pause`,`stop`,`provision_all`,`retry_failed`];return O`<div class="actions" role="group" aria-label=${H(`session.progress`)}>
      ${n.map(e=>{let n=t[e];return O`<div class="action">
          <button
            class=${e===`stop`?`danger`:``}
            data-action=${e}
            ?disabled=${!!n}
            aria-describedby=${n?`reason-${e}`:A}
            @click=${()=>this._sessionAction(e)}
          >
            ${H(`action.${e}`)}
          </button>
          ${n?O`<span class="reason" id=${`reason-${e}`}>${n}</span>`:A}
        </div>`})}
    </div>`}_renderBoards(e){let t=this._sortedBoards(e.boards),n=ct(e),r=this._pendingBoards;return O`<section class="boards" aria-label=${H(`boards.title`)}>
      <h3>${H(`boards.title`)}</h3>
      ${t.length?O`<div class="grid" role="list">
            ${Ve(t,e=>e.mac,e=>O`<piorchestrator-board-tile
                  role="listitem"
                  .board=${e}
                  .sessionReason=${n}
                  .busy=${r.has(e.mac)}
                  @board-action=${this._onBoardAction}
                ></piorchestrator-board-tile>`)}
          </div>`:O`<p class="muted">${H(`boards.empty`)}</p>`}
    </section>`}_renderAllowlist(e){if(!e.is_admin||!Array.isArray(e.allowlist))return A;let t=e.allowlist_counts,n=this._pending!==null;return O`<section class="allowlist" aria-label=${H(`allowlist.title`)}>
      <h3>${H(`allowlist.title`)}</h3>
      ${t?O`<p class="muted">${H(`allowlist.counts`,{...t})}</p>`:A}
      ${e.allowlist.length?O`<ul class="entries">
            ${Ve(e.allowlist,e=>e.mac,e=>this._renderEntry(e,n))}
          </ul>`:O`<p class="muted">${H(`allowlist.empty`)}</p>`}
      <form class="add" @submit=${this._addEntry} novalidate>
        <h4>${H(`allowlist.add_title`)}</h4>
        ${J({id:`al-mac`,label:H(`allowlist.mac`),error:this._macError,autocomplete:`off`,spellcheck:!1,placeholder:`AA:BB:CC:DD:EE:FF`})}
        ${J({id:`al-description`,label:H(`allowlist.description`),autocomplete:`off`})}
        ${J({id:`al-container`,label:H(`allowlist.container`),autocomplete:`off`})}
        <button type="submit" ?disabled=${n}>${H(`action.add`)}</button>
        ${Y(`al-mac`,this._macError)}
      </form>
      <form class="bulk" @submit=${this._addBulk} novalidate>
        ${J({id:`al-bulk`,label:H(`allowlist.bulk_title`),error:this._bulkError,hint:!0,rows:3,spellcheck:!1})}
        ${Et(`al-bulk`,H(`allowlist.bulk_hint`))}
        <button type="submit" ?disabled=${n}>${H(`action.add_all`)}</button>
        ${Y(`al-bulk`,this._bulkError)}
      </form>
    </section>`}_renderEntry(e,t){return this._editing===e.mac?O`<li class="entry editing" data-mac=${e.mac}>
        <form @submit=${t=>this._saveEntry(t,e.mac)}>
          <span class="mac">${e.mac}</span>
          ${J({id:`edit-description`,label:H(`allowlist.description`),value:e.description??``,autocomplete:`off`})}
          ${J({id:`edit-container`,label:H(`allowlist.container`),value:e.container_id??``,autocomplete:`off`})}
          <button type="submit" ?disabled=${t}>${H(`action.save`)}</button>
          <button type="button" class="secondary" @click=${()=>this._editing=null}>
            ${H(`action.cancel`)}
          </button>
        </form>
      </li>`:O`<li class="entry ${e.used?`used`:``}" data-mac=${e.mac}>
      <span class="mac">${e.mac}</span>
      <span class="description">${e.description??``}</span>
      <span class="container muted">${e.container_id??``}</span>
      <span class="used-state">${e.used?H(`allowlist.used`):H(`allowlist.available`)}</span>
      <span class="entry-actions">
        <button
          class="secondary"
          data-action="edit"
          aria-label=${H(`aria.entry_action`,{action:H(`action.edit`),mac:e.mac})}
          ?disabled=${t}
          @click=${()=>this._editing=e.mac}
        >
          ${H(`action.edit`)}
        </button>
        <button
          class="danger"
          data-action="remove"
          aria-label=${H(`aria.entry_action`,{action:H(`action.remove`),mac:e.mac})}
          ?disabled=${t}
          @click=${()=>this._removeEntry(e.mac)}
        >
          ${H(`action.remove`)}
        </button>
      </span>
    </li>`}_renderStartDialog(){let e=this._startError;return O`<dialog
      class="start"
      aria-labelledby="start-title"
      @close=${this._closeStart}
      @cancel=${this._closeStart}
    >
      <form @submit=${this._submitStart} novalidate>
        <h3 id="start-title">${H(`start.title`)}</h3>
        ${J({id:`ssid`,label:H(`start.ssid`),error:e.ssid??null,name:`ssid`,autocomplete:`off`,required:!0})}
        ${Y(`ssid`,e.ssid)}
        ${J({id:`password`,label:H(`start.password`),error:e.password??null,hint:!0,type:`password`,autocomplete:`new-password`})}
        ${Et(`password`,H(`start.password_hint`))}
        ${Y(`password`,e.password)}
        <div class="dialog-actions">
          <button type="button" class="secondary" @click=${this._closeStart}>
            ${H(`action.cancel`)}
          </button>
          <button type="submit" class="submit" ?disabled=${this._pending===`start`}>
            ${H(`action.start`)}
          </button>
        </div>
      </form>
    </dialog>`}};Nt=Q,Nt.styles=[yt,bt,o`
      ha-card {
        display: flex;
        flex-direction: column;
        gap: var(--pio-gap);
      }
      header {
        display: flex;
        flex-direction: column;
        gap: 6px;
      }
      .title-row {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 8px;
        justify-content: space-between;
      }
      h2 {
        margin: 0;
        overflow-wrap: anywhere;
      }
      h3 {
        margin: 0 0 8px;
        font-size: var(--ha-font-size-l, 1.1rem);
        font-weight: var(--ha-font-weight-medium, 500);
      }
      h4 {
        margin: 0;
        width: 100%;
        font-weight: var(--ha-font-weight-medium, 500);
      }
      .chip {
        border: 1px solid var(--pio-divider);
        border-radius: 12px;
        padding: 2px 10px;
        font-size: var(--ha-font-size-s, 0.875rem);
      }
      .streams {
        display: flex;
        flex-wrap: wrap;
        gap: 4px 12px;
        font-size: var(--ha-font-size-s, 0.875rem);
        color: var(--pio-fg2);
      }
      .stream-connected::before,
      .stream-reconnecting::before,
      .stream-polling::before,
      .stream-offline::before {
        content: "";
        display: inline-block;
        width: 8px;
        height: 8px;
        border-radius: 50%;
        margin-right: 4px;
        background: var(--pio-success);
      }
      .stream-reconnecting::before,
      .stream-polling::before {
        background: var(--pio-warning);
      }
      .stream-offline::before {
        background: var(--pio-error);
      }
      .counts {
        display: grid;
        grid-template-columns: repeat(4, minmax(0, 1fr));
        gap: 4px;
        margin: 0;
        text-align: center;
      }
      .counts dt {
        font-size: var(--ha-font-size-s, 0.875rem);
        color: var(--pio-fg2);
      }
      .counts dd {
        margin: 0;
        font-size: var(--ha-font-size-l, 1.1rem);
        font-weight: var(--ha-font-weight-bold, 600);
      }
      .counts .has-failed dd {
        color: var(--pio-error);
      }
      .errors:empty {
        display: none;
      }
      .status.bad {
        color: var(--pio-error);
      }
      .error-line {
        display: flex;
        align-items: center;
        gap: 8px;
        justify-content: space-between;
        color: var(--pio-error);
        border: 1px solid var(--pio-error);
        border-radius: 8px;
        padding: 6px 8px;
        margin-bottom: 4px;
        overflow-wrap: anywhere;
      }
      .banner {
        display: flex;
        flex-wrap: wrap;
        gap: 8px;
        align-items: center;
        justify-content: space-between;
        border: 1px solid var(--pio-warning);
        border-radius: 8px;
        padding: 8px 12px;
      }
      .banner p {
        margin: 4px 0 0;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 8px;
      }
      .action {
        display: flex;
        flex-direction: column;
        gap: 2px;
        max-width: 220px;
      }
      .reason {
        font-size: var(--ha-font-size-xs, 0.75rem);
        color: var(--pio-fg2);
      }
      .grid {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(min(100%, 215px), 1fr));
        gap: 8px;
      }
      .entries {
        list-style: none;
        margin: 0 0 12px;
        padding: 0;
      }
      .entry {
        display: grid;
        grid-template-columns: minmax(150px, auto) 1fr auto auto auto;
        gap: 4px 12px;
        align-items: center;
        padding: 6px 0;
        border-bottom: 1px solid var(--pio-divider);
      }
      .entry.editing form,
      form.add,
      form.bulk {
        display: flex;
        flex-wrap: wrap;
        gap: 8px;
        align-items: flex-end;
      }
      form.bulk {
        margin-top: 12px;
      }
      .entry.editing {
        display: block;
      }
      label {
        display: flex;
        flex-direction: column;
        gap: 2px;
        font-size: var(--ha-font-size-s, 0.875rem);
        min-width: 0;
      }
      form.bulk label {
        width: 100%;
      }
      textarea {
        width: 100%;
      }
      .mac {
        font-family: var(--ha-font-family-code, monospace);
      }
      .entry.used .used-state {
        color: var(--pio-fg2);
      }
      .entry-actions {
        display: flex;
        gap: 6px;
      }
      @container (max-width: 600px) {
        .entry {
          grid-template-columns: 1fr auto;
        }
        .counts {
          grid-template-columns: repeat(2, minmax(0, 1fr));
        }
      }
      dialog form {
        display: flex;
        flex-direction: column;
        gap: 6px;
      }
      dialog input {
        width: 100%;
      }
      .dialog-actions {
        display: flex;
        justify-content: flex-end;
        gap: 8px;
        margin-top: 8px;
      }
      .message {
        padding: 8px 0;
      }
      .hint {
        font-size: var(--ha-font-size-s, 0.875rem);
      }
    `],G([R()],Q.prototype,`_config`,void 0),G([R()],Q.prototype,`_pi`,void 0),G([R()],Q.prototype,`_errors`,void 0),G([R()],Q.prototype,`_pending`,void 0),G([R()],Q.prototype,`_pendingBoards`,void 0),G([R()],Q.prototype,`_startError`,void 0),G([R()],Q.prototype,`_macError`,void 0),G([R()],Q.prototype,`_bulkError`,void 0),G([R()],Q.prototype,`_editing`,void 0),customElements.get(`piorchestrator-session-card`)||customElements.define(X,Q);var Pt,Ft=`piorchestrator-fleet-card`,It=`piorchestrator`,$=class extends I{constructor(...e){super(...e),this._pis=null,this._open=null,this._subscription=new Mt(this,{request:()=>this._config?{type:`${It}/subscribe_fleet`}:void 0,onMessage:e=>{this._pis=At(this._pis,e)}})}static getStubConfig(){return{type:`custom:${Ft}`}}setConfig(e){if(!e||typeof e!=`object`)throw Error(`Invalid configuration`);this._config={...e},this._subscription.subscribe()}set hass(e){Ge(e.locale?.language??e.language),this._sessionCard&&(this._sessionCard.hass=e),this._subscription.hass=e}get hass(){return this._subscription.hass}getCardSize(){return 2+(this._pis?.length??1)*2}getGridOptions(){return{columns:12,rows:`auto`,min_rows:2,min_columns:6}}disconnectedCallback(){this._closeSession(),super.disconnectedCallback()}_openSession(e){this._closeSession(),this._open=e;let t=document.createElement(X);t.setConfig({type:`custom:${X}`,entry_id:e.entry_id}),this.hass&&(t.hass=this.hass),this._sessionCard=t;let n=this.renderRoot.querySelector(`dialog.session-dialog`);n?.querySelector(`.dialog-body`)?.replaceChildren(t),xt(n)}_closeSession(){this._sessionCard?.remove(),this._sessionCard=void 0,this._open=null,St(this.renderRoot?.querySelector(`dialog.session-dialog`))}render(){let e=this._pis,t=null;return this._subscription.error?t=H(`status.subscribe_failed`,{message:this._subscription.error}):this._subscription.reconnecting?t=H(`status.reconnecting`):e||(t=H(`status.loading`)),O`<ha-card>
      <h2>${H(`fleet.title`)}</h2>
      <div class="status" role="status" aria-live="polite">${t??A}</div>
      ${e&&!e.length?O`<p class="muted">${H(`fleet.empty`)}</p>`:A}
      ${e?.length?O`<ul class="rows">
            ${Ve(e,e=>e.entry_id,e=>this._renderRow(e))}
          </ul>`:A}
      <dialog
        class="session-dialog"
        aria-label=${this._open?.title??H(`card.session.name`)}
        @close=${this._closeSession}
      >
        <div class="dialog-head">
          <button class="secondary close" @click=${this._closeSession}>${H(`action.close`)}</button>
        </div>
        <div class="dialog-body"></div>
      </dialog>
    </ha-card>`}_renderRow(e){let t=e.session,n=t&&(t.device_count||e.board_count)||0,r=(t?.verified_count??0)+(t?.failed_count??0),i=n?Math.min(1,r/n):0,a=e.failed_boards??[],o=[W(e.health?.cpu_percent)===null?null:H(`health.cpu`,{value:W(e.health.cpu_percent)}),W(e.health?.memory_percent)===null?null:H(`health.memory`,{value:W(e.health.memory_percent)}),W(e.health?.temperature,1)===null?null:H(`health.temperature`,{value:W(e.health.temperature,1)})].filter(e=>e!==null),s=e.door??{door:`unknown`,lock:`unknown`},c=`${Lt(`door`,s.door)}, ${Lt(`lock`,s.lock)}`;return O`<li class=${a.length?`has-failed`:``} data-entry=${e.entry_id}>
      <button
        class="row"
        aria-label=${H(`fleet.open`,{name:e.title})}
        @click=${()=>this._openSession(e)}
      >
        <span class="name">${e.title}</span>
        <span class="cell streams">
          ${Tt(e.streams)}
        </span>
        <span class="cell health">${o.length?o.join(` · `):`—`}</span>
        <span class="cell door">${c}</span>
        <span class="cell session">
          <span
            >${gt(t)}${n?O` · ${r}/${n}`:A}</span
          >
          <span class="bar" aria-hidden="true"
            ><span style=${`width:${Math.round(i*100)}%`}></span
          ></span>
        </span>
        ${a.length?O`<span class="cell failed"
              >${H(`fleet.failed`,{count:a.length,names:a.map(e=>U(e)).join(`, `)})}</span
            >`:A}
      </button>
    </li>`}};Pt=$,Pt.styles=[yt,bt,o`
      h2 {
        margin: 0 0 8px;
      }
      .rows {
        list-style: none;
        margin: 0;
        padding: 0;
        display: flex;
        flex-direction: column;
        gap: 6px;
      }
      button.row {
        width: 100%;
        text-align: left;
        color: var(--pio-fg);
        background: transparent;
        border: 1px solid var(--pio-divider);
        border-left: 4px solid var(--pio-success);
        display: grid;
        grid-template-columns:
          minmax(0, 1.2fr) minmax(0, 1fr) minmax(0, 1.4fr) minmax(0, 0.9fr)
          minmax(0, 1.2fr);
        gap: 4px 12px;
        align-items: center;
        padding: 8px 10px;
      }
      li.has-failed button.row {
        border-left-color: var(--pio-error);
        background: color-mix(in srgb, var(--pio-error) 8%, transparent);
      }
      .name {
        font-weight: var(--ha-font-weight-medium, 500);
        overflow-wrap: anywhere;
      }
      .cell {
        font-size: var(--ha-font-size-s, 0.875rem);
        min-width: 0;
      }
      .streams {
        display: flex;
        flex-direction: column;
      }
      .stream-reconnecting,
      .stream-polling {
        color: var(--pio-warning);
      }
      .stream-offline {
        color: var(--pio-error);
      }
      .session {
        display: flex;
        flex-direction: column;
        gap: 4px;
      }
      .failed {
        grid-column: 1 / -1;
        color: var(--pio-error);
        overflow-wrap: anywhere;
      }
      @container (max-width: 640px) {
        button.row {
          grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
        }
      }
      dialog.session-dialog {
        width: min(96vw, 1100px);
        max-width: 96vw;
        max-height: 92vh;
        overflow: auto;
        padding: 8px;
      }
      .dialog-head {
        display: flex;
        justify-content: flex-end;
        align-items: center;
        padding: 4px 8px 8px;
      }
    `],G([R()],$.prototype,`_config`,void 0),G([R()],$.prototype,`_pis`,void 0),G([R()],$.prototype,`_open`,void 0);function Lt(e,t){return[`open`,`closed`,`locked`,`unlocked`,`unknown`].includes(t)?H(`${e}.${t}`):t}customElements.get(`piorchestrator-fleet-card`)||customElements.define(Ft,$);var Rt=`https://github.com/piorchestrator-ha/piorchestrator-homeassistant`;function zt(e=window){e.customCards??(e.customCards=[]);let t=[{type:X,name:H(`card.session.name`),description:H(`card.session.description`),preview:!0,documentationURL:Rt},{type:Ft,name:H(`card.fleet.name`),description:H(`card.fleet.description`),preview:!0,documentationURL:Rt}];for(let n of t)e.customCards.some(e=>e.type===n.type)||e.customCards.push(n)}zt();export{zt as registerCards};